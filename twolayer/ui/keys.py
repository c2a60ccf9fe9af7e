"""Presenter keys on the pages without live charts (Loss landscape, Backprop): a clicker's
→ / PageDown presses the page's step button, Space its play button, R its reset button.

The live charts (twolayer/ui/live) handle the same keys on the Playground and MSE vs log-loss,
where Space also pauses Play on the picture on screen. Here a key only clicks a button, found
by its widget key (Streamlit gives each keyed widget the class ``st-key-<key>``).

A key counts after a click on any widget (a select box once chosen, a toggle, a button); never
while someone types in a text or number field or picks from an open list. Space then never
scrolls the page, and R never reaches Streamlit's own "rerun" shortcut.
"""

import streamlit as st

# Inline: no files to serve, so nothing to register with Streamlit beyond the public call.
JS = r"""
const TYPING = "textarea, [contenteditable=''], [contenteditable='true'], [role='textbox'], " +
  "[role='spinbutton'], [role='listbox'], [role='option'], [role='menu'], [role='menuitem'], " +
  "input:not([type]), input[type='text'], input[type='number'], input[type='search'], " +
  "input[type='email'], input[type='url'], input[type='password']";

// A slider keeps its own arrow and page keys: → moves its thumb there.
const SLIDER = "input[type='range'], [role='slider']";
const SLIDER_KEYS = new Set(["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "PageUp",
  "PageDown", "Home", "End"]);

function typing(target, key) {
  if (!(target instanceof Element)) return false;
  if (SLIDER_KEYS.has(key) && target.closest(SLIDER)) return true;
  const field = target.closest(TYPING);
  if (!field) return false;
  // A select box's search field takes keys only while its list is open.
  if (field.getAttribute("role") === "combobox" || field.closest("[role='combobox']")) {
    const box = field.closest("[role='combobox']") || field;
    return box.getAttribute("aria-expanded") === "true";
  }
  return true;
}

function onKey(e) {
  const keys = globalThis.__twolayerPresenterKeys;
  if (!keys || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  if (typing(e.target, e.key)) return;
  let action = null;
  if (e.key === " " || e.key === "Spacebar") action = "play";
  else if (e.key === "ArrowRight" || e.key === "PageDown") action = "step";
  else if (e.key === "r" || e.key === "R") action = "reset";
  if (!action || !keys[action]) return;
  e.preventDefault();               // Space would scroll the page, → move a focused radio
  e.stopImmediatePropagation();     // R is also Streamlit's own "rerun" key
  if (e.repeat) return;
  const button = document.querySelector(`.st-key-${CSS.escape(keys[action])} button`);
  if (button && !button.disabled) button.click();
}

export default function ({ data }) {
  globalThis.__twolayerPresenterKeys = data;
  if (!globalThis.__twolayerPresenterKeysOn) {
    document.addEventListener("keydown", onKey, true);
    globalThis.__twolayerPresenterKeysOn = true;
  }
  return () => {                    // the page is left: its buttons are gone
    if (globalThis.__twolayerPresenterKeys === data) globalThis.__twolayerPresenterKeys = null;
  };
}
"""

_component = None


def presenter_keys(step=None, play=None, reset=None):
    """Let a clicker press this page's buttons, given by their widget keys."""
    global _component
    if _component is None:
        _component = st.components.v2.component("twolayer_keys", js=JS)
    _component(key="presenter_keys", data={"step": step, "play": play, "reset": reset},
               height=0)
