"""Sales & marketing alignment: the domain package behind the Streamlit app.

Nothing in this package imports streamlit, except ``alignment.ui``.
"""

__version__ = "0.1.0"
