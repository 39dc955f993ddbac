"""The marketer's editor: changes to a form's draft, undo, and what the editor shows.

Every change goes through `drafts.edit_draft`, which refuses a change that would
make the draft invalid or add a new error, and keeps the draft before it for undo.
"""
