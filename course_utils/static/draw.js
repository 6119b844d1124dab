// The drawing canvas of course_utils.widgets.DrawingCanvas (an anywidget module: no build step).
//
// Draw with a mouse, a pen or a finger (pointer events); "Clear" wipes the canvas. The drawing goes
// to Python as the trait `image`: size x size bytes of ink (0 = none, 255 = full), row by row. While
// a stroke goes on it is sent at most every `send_every_ms` milliseconds, and always when it ends.
// When Python sets `image`, the canvas shows it. The button's text and the canvas' accessible name are
// the traits `clear_label` and `canvas_label`, set by Python in the course's language.

function render({ model, el }) {
  const side = model.get("display_size"); // CSS pixels
  const size = model.get("size"); // pixels of the image sent to Python
  const ratio = window.devicePixelRatio || 1;

  const canvas = document.createElement("canvas");
  canvas.className = "course-draw-canvas";
  canvas.setAttribute("role", "img");
  canvas.width = canvas.height = Math.round(side * ratio);
  Object.assign(canvas.style, {
    width: `${side}px`, height: `${side}px`, touchAction: "none", cursor: "crosshair",
    background: "white", border: "1px solid #888", borderRadius: "4px", display: "block",
  });
  const pen = canvas.getContext("2d");
  pen.scale(ratio, ratio);
  pen.lineWidth = model.get("pen_width") * side;
  pen.lineCap = pen.lineJoin = "round";
  pen.strokeStyle = pen.fillStyle = "black";

  // The ink is the canvas' alpha channel, read back at `size` x `size`.
  const small = document.createElement("canvas");
  small.width = small.height = size;
  const smallPen = small.getContext("2d", { willReadFrequently: true });

  let sending = false; // true while this view sets `image`, so its own change is not drawn back
  function send() {
    smallPen.clearRect(0, 0, size, size);
    smallPen.drawImage(canvas, 0, 0, size, size);
    const rgba = smallPen.getImageData(0, 0, size, size).data;
    const ink = new Uint8Array(size * size);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3];
    sending = true;
    model.set("image", new DataView(ink.buffer));
    model.save_changes();
    sending = false;
  }

  function show() {
    if (sending) return;
    const data = model.get("image");
    pen.clearRect(0, 0, side, side);
    if (!data || data.byteLength !== size * size) return;
    const ink = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const pixels = smallPen.createImageData(size, size);
    for (let i = 0; i < ink.length; i++) pixels.data[4 * i + 3] = ink[i]; // black, ink as alpha
    smallPen.putImageData(pixels, 0, 0);
    pen.drawImage(small, 0, 0, side, side);
  }

  let drawing = false;
  let last = null;
  let lastSent = 0;
  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * side / box.width, (event.clientY - box.top) * side / box.height];
  }
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    last = point(event);
    pen.beginPath();
    pen.arc(last[0], last[1], pen.lineWidth / 2, 0, 2 * Math.PI);
    pen.fill();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const moves = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    pen.beginPath();
    pen.moveTo(last[0], last[1]);
    for (const move of moves.length ? moves : [event]) {
      last = point(move);
      pen.lineTo(last[0], last[1]);
    }
    pen.stroke();
    if (event.timeStamp - lastSent > model.get("send_every_ms")) {
      lastSent = event.timeStamp;
      send();
    }
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    send();
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);

  const clear = document.createElement("button");
  clear.className = "course-draw-clear jupyter-button";
  clear.addEventListener("click", () => {
    pen.clearRect(0, 0, side, side);
    send();
  });

  const box = document.createElement("div");
  Object.assign(box.style, { display: "flex", flexDirection: "column", gap: "6px", alignItems: "flex-start" });
  box.append(canvas, clear);
  el.append(box);

  function label() {
    canvas.setAttribute("aria-label", model.get("canvas_label"));
    clear.textContent = model.get("clear_label");
  }
  label();
  show();
  model.on("change:image", show);
  model.on("change:canvas_label", label);
  model.on("change:clear_label", label);
  return () => {
    model.off("change:image", show);
    model.off("change:canvas_label", label);
    model.off("change:clear_label", label);
  };
}

export default { render };
