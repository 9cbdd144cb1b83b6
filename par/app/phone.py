"""On a phone the sidebar covers the page: close it after the user picks a page.

Streamlit opens the sidebar over the content on a narrow screen and leaves it open after a
page link is tapped, so the page just chosen stays hidden. There is no Python API to close
it; a zero-height component runs a few lines of script in the page (the component's frame is
the app's own origin) that press the sidebar's own close button when the window is narrower
than Streamlit's mobile breakpoint. It runs once per page change (its text names the page,
so Streamlit keeps the same frame on reruns of the same page) and does nothing on a desk.
"""
from __future__ import annotations

import streamlit.components.v1 as components

MOBILE_PX = 768  # Streamlit's own breakpoint for the overlaying sidebar

_SCRIPT = """<script>
// page: %(page)s
(function () {
  const win = window.parent, doc = win.document;
  if (win.innerWidth >= %(px)d) return;
  const button = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
  const sidebar = doc.querySelector('[data-testid="stSidebar"]');
  if (button && sidebar && sidebar.getAttribute('aria-expanded') !== 'false') button.click();
})();
</script>"""


def close_sidebar_on_phone(page_key: str) -> None:
    """Call after st.navigation: closes the phone's sidebar once per page change."""
    components.html(_SCRIPT % {"page": "".join(c for c in page_key if c.isalnum() or c in "-_"),
                               "px": MOBILE_PX}, height=0)
