"""The office's general journal (docs/journal.md): entries drafted by one user and approved by another
(maker-checker), posted on the office chain on approval."""
