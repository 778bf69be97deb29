// Scanning an asset tag with the camera, for the scan form (templates/partials/camera.html).
//
// The browser's own BarcodeDetector reads the codes where it has one that knows QR codes;
// elsewhere (Firefox, Linux and Windows Chromium, ...) the barcode-detector ponyfill does, with
// its zxing .wasm served from our static folder (`make assets`), never from a CDN. The first
// value read goes into #scan-input and the form is submitted as if the tag had been typed.
// The page's Content-Security-Policy must allow `script-src 'self' 'wasm-unsafe-eval'`.

const SCAN_INTERVAL_MS = 200;
const FORMATS = ["qr_code", "code_128"];
const PONYFILL = new URL("vendor/barcode-detector/ponyfill.js", import.meta.url).href;
const WASM = new URL("vendor/barcode-detector/zxing_reader.wasm", import.meta.url).href;

let detectorLoading = null; // Promise<BarcodeDetector>, kept once a detector is ready
let session = null; // the camera in use: {root, stream, timer}

function cameraUsable() {
  return window.isSecureContext && typeof navigator.mediaDevices?.getUserMedia === "function";
}

function reveal() {
  const root = document.getElementById("camera");
  if (root) {
    root.hidden = !cameraUsable();
  }
}

function part(root, name) {
  return root.querySelector(`.camera-${name}`);
}

// Says a message of the partial (its data-msg-* attributes) in the status line.
function say(root, message, { problem = false, tag = "" } = {}) {
  const status = part(root, "status");
  status.classList.toggle("error", problem);
  status.textContent = root.dataset[message].replace("{tag}", tag);
}

function showView(root, open) {
  part(root, "offer").hidden = open;
  part(root, "view").hidden = !open;
}

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) {
    return null;
  }
  try {
    const supported = await window.BarcodeDetector.getSupportedFormats();
    if (supported.includes("qr_code")) {
      return new window.BarcodeDetector({ formats: FORMATS.filter((f) => supported.includes(f)) });
    }
  } catch {
    // A detector that cannot tell its formats: use the ponyfill instead.
  }
  return null;
}

async function ponyfillDetector() {
  const ponyfill = await import(PONYFILL);
  try {
    // Compiles the .wasm now, so a failure (blocked by CSP, missing file) is seen here.
    await ponyfill.prepareZXingModule({
      overrides: {
        locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM : prefix + path),
      },
      fireImmediately: true,
    });
  } catch (error) {
    ponyfill.purgeZXingModule(); // the library keeps a failed module: let the next try load again
    throw error;
  }
  const supported = await ponyfill.BarcodeDetector.getSupportedFormats();
  return new ponyfill.BarcodeDetector({ formats: FORMATS.filter((f) => supported.includes(f)) });
}

function detector() {
  detectorLoading ??= nativeDetector()
    .then((found) => found ?? ponyfillDetector())
    .catch((error) => {
      detectorLoading = null;
      throw error;
    });
  return detectorLoading;
}

function cameraProblem(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "msgDenied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "msgNoCamera";
    case "NotReadableError":
    case "AbortError":
      return "msgBusy";
    default:
      return "msgUnavailable";
  }
}

// Releases the camera (every track) and closes the view; nothing is said.
function stop(current) {
  if (!current || session !== current) {
    return;
  }
  session = null;
  clearTimeout(current.timer);
  current.stream?.getTracks().forEach((track) => track.stop());
  const video = part(current.root, "video");
  video.pause();
  video.srcObject = null;
  showView(current.root, false);
}

function stopByUser() {
  const current = session;
  if (!current) {
    return;
  }
  const hadFocus = current.root.contains(document.activeElement);
  stop(current);
  say(current.root, "msgStopped");
  if (hadFocus) {
    part(current.root, "start").focus();
  }
}

function fail(current, message) {
  stop(current);
  say(current.root, message, { problem: true });
  document.getElementById("scan-input")?.focus();
}

function submit(current, tag) {
  stop(current);
  say(current.root, "msgFound", { tag });
  const input = document.getElementById("scan-input");
  if (!input) {
    return;
  }
  input.value = tag;
  input.focus();
  const form = input.form;
  if (typeof form?.requestSubmit === "function") {
    form.requestSubmit(); // a submit event, as when Enter is pressed: htmx handles it
  } else {
    form?.querySelector("[type=submit]")?.click();
  }
}

function scanSoon(current, reader, video) {
  current.timer = setTimeout(async () => {
    if (session !== current) {
      return;
    }
    if (!current.root.isConnected) {
      stop(current); // the form was swapped out of the page
      return;
    }
    let codes = [];
    if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
      try {
        codes = await reader.detect(video);
      } catch (error) {
        if (error?.name !== "InvalidStateError") {
          fail(current, "msgUnavailable");
          return;
        }
      }
    }
    if (session !== current) {
      return;
    }
    const tag = codes.map((code) => code.rawValue.trim()).find(Boolean);
    if (tag) {
      submit(current, tag);
    } else {
      scanSoon(current, reader, video);
    }
  }, SCAN_INTERVAL_MS);
}

async function start(root) {
  if (session) {
    return;
  }
  const current = { root, stream: null, timer: 0 };
  session = current;
  showView(root, true);
  part(root, "stop").focus();
  say(root, "msgOpening");
  const loading = detector();
  loading.catch(() => {}); // reported below, after the camera has answered

  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment" },
      audio: false,
    });
  } catch (error) {
    if (session === current) {
      fail(current, cameraProblem(error));
    }
    return;
  }
  if (session !== current) {
    stream.getTracks().forEach((track) => track.stop()); // stopped while the browser asked
    return;
  }
  current.stream = stream;
  const video = part(root, "video");
  video.srcObject = stream;

  let reader;
  try {
    [reader] = await Promise.all([loading, video.play()]);
  } catch {
    if (session === current) {
      fail(current, "msgUnavailable");
    }
    return;
  }
  if (session !== current) {
    return;
  }
  say(root, "msgScanning");
  scanSoon(current, reader, video);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("#camera button");
  if (button?.classList.contains("camera-start")) {
    start(button.closest("#camera"));
  } else if (button?.classList.contains("camera-stop")) {
    stopByUser();
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && session) {
    event.preventDefault();
    stopByUser();
  }
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") {
    stopByUser();
  }
});
window.addEventListener("pagehide", () => stop(session));
// htmx keeps a copy of the page for the back button: never with the camera open.
document.addEventListener("htmx:beforeHistorySave", () => stop(session));
document.addEventListener("htmx:load", reveal);
reveal();
