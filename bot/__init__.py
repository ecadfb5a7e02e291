"""PBJ helpdesk: the complaint and status desk of Biro PBJ Provinsi Kalimantan Utara."""

__version__ = "0.1.0"
