"""Directory: workspaces, users, groups, campaigns, API keys and authentication."""
