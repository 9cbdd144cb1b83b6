"""The synthetic sample: generating it and seeding a sample database with it."""
