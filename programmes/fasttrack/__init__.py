"""Fast-track (直通) from the 公益创新创业大赛 into 沪社星耀: invitations of contest winners."""
