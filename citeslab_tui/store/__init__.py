"""The one package that knows TinyDB and files: storage, lock, backups, repository."""
