/**
 * The page and its leads as geometry, without TensorFlow: what render/,
 * the stages (train/stages/) and inference/ share, so that a page is laid
 * out, found and cut the same way everywhere. Imports only core/ and config/.
 *
 * Vocabulary, from the paper to a crop:
 *   Panel           one lead's strip of the layout, in mm (layout.ts layoutPage).
 *   PixelBox        [x0, y0, x1, y1] in image pixels, centres at integers: the
 *                   ground truth's boxes and nominalLeadBoxes (box.ts).
 *   NormalBox       { y1, x1, y2, x2 } normalised as tf.image.cropAndResize
 *                   takes it (box.ts); the ROI heatmap's boxes share its shape
 *                   normalised to pixel edges (roi-boxes.ts).
 *   RoiBox          a NormalBox the ROI heatmap shows at a layout row and column.
 *   LeadPlacement   where a lead sits on one page: NormalBox, time span, 0 mV row
 *                   (lead-placement.ts: nominalPlacements, roiPlacements).
 *   PagePlacements  one page's placements as the roi stage writes them (boxes.json).
 *   LeadCrop        a placement as the models read it: box on the time grid,
 *                   columns, 0 mV row and scale in crop pixels, targets
 *                   (lead-crop.ts placedCrops). The models' CropRequest is a
 *                   LeadCrop with the index of its page in a batch.
 *   CropGeometry    the page <-> crop coordinate maps of one crop (crop-geometry.ts).
 *   GreyImage       a page as grey values in [0, 1] (grey-image.ts); deskew.ts
 *                   estimates and undoes its rotation.
 *   Rectification   a page's rotation and perspective as a homography
 *                   (perspective.ts, homography.ts): two pencils of lines
 *                   found in the image and made parallel.
 *   PageGeometry    what the image alone says of a page (geometry/): grid angle
 *                   and px per mm, the rectified page, layout, panels, each
 *                   lead's 0 mV row and gain.
 * The pixels of a crop are cut in models/leads/crop-cut.ts.
 */
export * from './box.js';
export * from './layout.js';
export * from './grey-image.js';
export * from './deskew.js';
export * from './homography.js';
export * from './perspective.js';
export * from './crop-geometry.js';
export * from './roi-boxes.js';
export * from './lead-placement.js';
export * from './lead-crop.js';
export * from './geometry/index.js';
