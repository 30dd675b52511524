"""One module per ``costmodel`` subcommand; each exposes ``register(subparsers)``.

``register`` adds a subparser and sets ``handler=<function(args) -> exit code>`` on it.
"""
