"""决赛路演: the final round's roadshow session — drawn order, clocked presentations, live scoring, public vote,
the live board, locked score sheets (docs/roadshow.md)."""
