// Entry point: mounts the app shell into #app.
import { App } from "./app";

const root = document.getElementById("app");
if (root) new App(root).start();
