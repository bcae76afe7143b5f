"""The sync bundle: the file laptops and the office exchange, and who may write it.

- `codec`: the file's layout (header, signed manifest, payload), limits, encoding;
- `wire`: records as they travel, validated strictly into their canonical form;
- `identity`, `keys`: device identities, fingerprints, the key files of a data folder.
"""
