"""Users: who they are, their function and role, passwords, sign-in and API tokens."""
