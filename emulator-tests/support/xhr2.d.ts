// xhr2 ships no types. What the setup file needs of it: a constructor to install as the global
// XMLHttpRequest (the browser build of the web SDK uses the global; DOM types are not in our lib).
declare module 'xhr2' {
  const XMLHttpRequest: new () => object
  export default XMLHttpRequest
}
