"""The clawback room: 追回 of paid money after an audit finding, and the refunds received against it."""
