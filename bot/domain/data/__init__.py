"""Reference tables of the domain, read with importlib.resources."""
