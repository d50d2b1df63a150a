// Start GOV.UK Frontend and MOJ Frontend components on every page (progressive enhancement only:
// every page works without JavaScript).
import { initAll as initGovukFrontend } from "./govuk-frontend.min.js";
import { initAll as initMojFrontend } from "./moj-frontend.min.js";

initGovukFrontend();
initMojFrontend();
