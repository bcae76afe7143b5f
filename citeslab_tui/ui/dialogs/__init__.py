"""Modal dialogs (each a `ui.base.AppDialog`, styled by styles/dialogs.tcss)."""
