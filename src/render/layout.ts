/**
 * The page layout lives in page/layout.ts, shared with the stages and
 * inference. This re-export only keeps render-page.ts's import working
 * while that file has uncommitted render-performance work (issue 16);
 * point render-page.ts at ../page/layout.js and delete this file.
 */
export { layoutPage, panelSampleRange, type PageLayout, type Panel } from '../page/layout.js';
