"""Config files: each defines get_config(arg) -> ml_collections.ConfigDict."""
