"""No models of its own: lib stays an app so its migrations can drop the old data-version table."""
