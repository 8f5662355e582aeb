"""The ledger room: the immutable money movements every balance is summed from (see ``service``)."""
