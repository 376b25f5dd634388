"""newsdigest's built-in plugins: one module per stage or backend, each
registered exactly as an installed plugin would be (see ``pipeline.manager``)."""
