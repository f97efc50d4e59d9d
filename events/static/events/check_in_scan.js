// The check-in page's "Scan ticket" button: reads a ticket's QR code with the phone's camera,
// puts the code in the ticket code box and submits the form, as typing it would.
//
// Progressive enhancement: the button is added only where the browser has BarcodeDetector
// (Chrome on Android, for one), can read QR codes with it and has a camera. Everywhere else, and without JavaScript, the page is the typed form alone.
// No library: a browser without BarcodeDetector keeps the typed form, which works at any desk.
//
// The form's data-scanner attribute says what the script decided ("ready" or "unavailable"),
// for whoever needs to know that it has finished looking (the browser tests do).
(() => {
  const form = document.getElementById("check-in-form");
  const input = document.getElementById("ticket-code");
  if (!form || !input) return;

  const SCAN_INTERVAL_MS = 150;

  const start = async () => {
    if (!("BarcodeDetector" in window)) return false;
    // Camera access needs a secure context (HTTPS, or localhost).
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return false;
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return false;
    const devices = await navigator.mediaDevices.enumerateDevices();
    if (!devices.some((device) => device.kind === "videoinput")) return false;

    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary w-mt-4";
    button.textContent = "Scan ticket";
    const status = document.createElement("p");
    status.className = "w-mt-2";
    status.setAttribute("role", "status");
    const video = document.createElement("video");
    video.className = "kx-check-in__camera";
    video.muted = true;
    video.playsInline = true;
    video.setAttribute("aria-label", "Camera view: hold the ticket's QR code in front of it");
    video.hidden = true;
    form.append(button, status, video);

    let stream = null;

    const stop = () => {
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = null;
      video.srcObject = null;
      video.hidden = true;
      button.textContent = "Scan ticket";
    };

    const look = async () => {
      if (!stream) return;
      try {
        const found = (await detector.detect(video)).find((code) => code.rawValue);
        if (found) {
          stop();
          input.value = found.rawValue.trim();
          status.textContent = "Ticket read: checking in.";
          form.requestSubmit();
          return;
        }
      } catch {
        // The video has no frame yet: look again.
      }
      window.setTimeout(look, SCAN_INTERVAL_MS);
    };

    button.addEventListener("click", async () => {
      if (stream) {
        stop();
        status.textContent = "";
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: "environment" },
          audio: false,
        });
      } catch {
        stream = null;
        status.textContent = "The camera could not be used. Type the ticket code instead.";
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      button.textContent = "Stop scanning";
      status.textContent = "Hold the ticket's QR code in front of the camera.";
      await video.play().catch(() => {});
      look();
    });

    // Leaving the page (or the browser keeping it in its back-forward cache) frees the camera.
    window.addEventListener("pagehide", stop);
    return true;
  };

  start()
    .catch(() => false) // No button: the typed form is there as before.
    .then((ready) => {
      form.dataset.scanner = ready ? "ready" : "unavailable";
    });
})();
