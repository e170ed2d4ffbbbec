"""The home page: what each function needs first when it opens Accord."""
