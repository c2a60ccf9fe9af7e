// What the parts share about the mounted components: whether one is playing, and which one
// the presenter keys and the Pause click go to (the one whose data came last).

let active = null;

export function current() {
  return active;
}

export function activate(s) {
  active = s;
}

export function deactivate(s) {         // a mount taken off the page
  if (active === s) active = null;
}

export function playing(s) {
  return s && !s.play.stopped && s.play.id !== null;
}
