"""UI helpers shared by the pages (a subpackage, so Streamlit never lists these modules as pages)."""
