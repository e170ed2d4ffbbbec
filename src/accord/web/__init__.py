"""The web UI's shared parts: templates, navigation, flash messages, static assets."""
