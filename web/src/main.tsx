/** The dashboard's entry: the app, and the `<lumen-explanation>` element registered for the page too. */
import { render } from 'preact';
import { App } from './app.js';
import './element.js';
import './styles.css';

render(<App />, document.getElementById('app')!);
