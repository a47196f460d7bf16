"""Text helpers shared by every part that talks to a person: suggestions for a misspelt name."""
