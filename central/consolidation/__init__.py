"""The central office consolidating its branches: each branch's month side by side with the whole."""
