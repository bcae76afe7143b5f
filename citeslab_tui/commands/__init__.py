"""CLI subcommands, one module per area. Each module has `register(subparsers)`;
each subcommand sets `handler(args) -> int` with `set_defaults`."""
