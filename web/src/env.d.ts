/** Types of Vite's import forms (`?url`, JSON imports) for the app's sources. */
/// <reference types="vite/client" />
