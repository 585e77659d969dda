"""An XDND drag source for the end-to-end test: a small GTK window whose button offers the
files given on the command line as text/uri-list, so xdotool can drag them onto the app
exactly as a person drags a file from a file manager."""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402

uris = ["file://" + p for p in sys.argv[3:]]
x, y = int(sys.argv[1]), int(sys.argv[2])
window = Gtk.Window(title="tunebench-drag-source")
window.set_default_size(150, 150)
window.move(x, y)
button = Gtk.Button(label="DRAG ME")
button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
button.drag_source_add_uri_targets()
button.connect("drag-data-get", lambda w, ctx, data, info, t: data.set_uris(uris))
window.add(button)
window.connect("destroy", Gtk.main_quit)
window.show_all()
Gtk.main()
