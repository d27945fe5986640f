"""Static-site generator for a concept glossary of deep learning."""

__version__ = "0.1.0"
