/**
 * pdf.js operator lists, read the same way by every reader of a page's drawing: the operator codes,
 * and a walk that keeps the graphics state's transform (save, restore, transform, form XObjects).
 */
import { multiply, type Matrix } from '../geometry/matrix';

/** pdf.js operator codes (pdfjs-dist OPS), stable across versions. */
export const OPS = {
  setLineWidth: 2,
  save: 10,
  restore: 11,
  transform: 12,
  stroke: 20,
  closeStroke: 21,
  fill: 22,
  eoFill: 23,
  fillStroke: 24,
  eoFillStroke: 25,
  closeFillStroke: 26,
  closeEOFillStroke: 27,
  showText: 44,
  showSpacedText: 45,
  nextLineShowText: 46,
  nextLineSetSpacingShowText: 47,
  paintFormXObjectBegin: 74,
  paintFormXObjectEnd: 75,
  paintImageMaskXObject: 83,
  paintImageXObject: 85,
  paintInlineImageXObject: 86,
  constructPath: 91,
} as const;

export interface OperatorList {
  fnArray: number[];
  argsArray: unknown[][];
}

export interface GraphicsState {
  /** User space → the coordinates the walk started in. */
  ctm: Matrix;
  lineWidth: number;
}

/**
 * Calls `visit` for every operator with the graphics state in force, starting from `start` (the
 * page's viewport transform, to get viewport coordinates).
 */
export function walkOperators(operators: OperatorList, start: Matrix, visit: (op: number, args: unknown[], state: GraphicsState) => void): void {
  const stack: GraphicsState[] = [];
  let state: GraphicsState = { ctm: start, lineWidth: 1 };
  operators.fnArray.forEach((op, index) => {
    const args = operators.argsArray[index] ?? [];
    switch (op) {
      case OPS.save:
        stack.push(state);
        break;
      case OPS.restore:
      case OPS.paintFormXObjectEnd:
        state = stack.pop() ?? state;
        break;
      case OPS.transform:
        state = { ...state, ctm: multiply(state.ctm, args as Matrix) };
        break;
      case OPS.paintFormXObjectBegin:
        stack.push(state);
        if (Array.isArray(args[0])) state = { ...state, ctm: multiply(state.ctm, args[0] as Matrix) };
        break;
      case OPS.setLineWidth:
        state = { ...state, lineWidth: Number(args[0]) || 0 };
        break;
    }
    visit(op, args, state);
  });
}
