"""Programmes, editions, rounds, forms, applications, awards and money (one Piccolo app)."""
