// The cameo recorder: camera preview, the challenge shown one step at a time while
// MediaRecorder films, then the clip handed to the upload form and sent. Without a camera or
// MediaRecorder the page keeps its plain upload field.
(function () {
  "use strict";

  const LEAD_IN_MS = 1200;   // look at the camera first: the check wants a frontal frame
  const POSE_MS = 1800;      // long enough to be held (the check needs ~0.25 s held)
  const BETWEEN_MS = 900;    // back to the middle, so each pose is a separate movement
  const CUES = { left: "Turn your head left", right: "Turn your head right", up: "Look up", down: "Look down" };

  function pickType() {
    const types = ["video/webm;codecs=vp8", "video/webm", "video/mp4"];
    return types.find((t) => window.MediaRecorder && MediaRecorder.isTypeSupported(t)) || "";
  }

  function wait(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

  function setup(box) {
    const form = box.closest("form");
    const video = box.querySelector("video");
    const cue = box.querySelector("[data-testid=cue]");
    const cameraButton = box.querySelector("[data-action=camera]");
    const recordButton = box.querySelector("[data-action=record]");
    const stepsList = document.querySelector("[data-steps]");
    const steps = stepsList.dataset.steps.split(",");
    const items = stepsList.querySelectorAll("li");
    const fileInput = form.querySelector("input[type=file]");
    const nameInput = form.querySelector("input[name=display_name]");
    let stream = null;

    box.hidden = false;

    cameraButton.addEventListener("click", async () => {
      cue.textContent = "Asking for your camera…";
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" }, audio: false,
        });
      } catch (err) {
        cue.textContent = "We couldn't open your camera (" + err.name + "). Allow camera access, or upload a clip instead.";
        return;
      }
      video.srcObject = stream;
      cameraButton.hidden = true;
      recordButton.disabled = false;
      cue.textContent = "Centre your face in the frame, then press Record.";
    });

    recordButton.addEventListener("click", async () => {
      if (!nameInput.value.trim()) {
        cue.textContent = "Write the name on your cameo first.";
        nameInput.focus();
        return;
      }
      recordButton.disabled = true;
      const type = pickType();
      const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
      const chunks = [];
      recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
      const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
      recorder.start(250);
      box.classList.add("recording");
      cue.textContent = "Recording: look at the camera";
      await wait(LEAD_IN_MS);
      for (let i = 0; i < steps.length; i++) {
        items.forEach((li, j) => li.classList.toggle("current", j === i));
        cue.textContent = CUES[steps[i]] || steps[i];
        await wait(POSE_MS);
        cue.textContent = "Back to the middle";
        await wait(BETWEEN_MS);
      }
      items.forEach((li) => li.classList.remove("current"));
      recorder.stop();
      await stopped;
      box.classList.remove("recording");
      const blobType = (recorder.mimeType || type || "video/webm").split(";")[0];
      const ext = blobType === "video/mp4" ? "mp4" : "webm";
      const file = new File(chunks, "cameo." + ext, { type: blobType });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      fileInput.files = transfer.files;
      cue.textContent = "Sending your clip…";
      stream.getTracks().forEach((track) => track.stop());
      form.requestSubmit();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const box = document.querySelector("[data-recorder]");
    if (box && navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder) {
      setup(box);
    }
  });
})();
