/** The dashboard's entry: the app, and the `<lumen-explanation>` element registered for the page too. */
import { render } from 'preact';
import { App } from './app.js';
import './element.js';
import './styles.css';

const root = document.getElementById('app')!;
// The static notice in index.html (shown when the script cannot run, e.g. from file://) goes first.
root.replaceChildren();
render(<App />, root);
