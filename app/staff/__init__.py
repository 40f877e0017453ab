"""The staff side: accounts with roles, login, moderation and answers (``/staff``)."""
