/**
 * A new offer while the technician's app is open: a short two-tone chime (Web Audio, no file to fetch)
 * and a vibration. Browsers allow sound only after the page had a user gesture; without one the chime
 * stays silent and the vibration (where supported) still gets attention.
 */
let ctx: AudioContext | null = null;

export function alertOffer() {
  navigator.vibrate?.([300, 100, 300, 100, 300]);
  try {
    const Ctor =
      window.AudioContext ??
      (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return;
    ctx ??= new Ctor();
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    const start = ctx.currentTime;
    for (const [i, freq] of [880, 1175, 880, 1175].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t0 = start + i * 0.18;
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(0.3, t0 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0);
      osc.stop(t0 + 0.17);
    }
  } catch {
    // No audio here (autoplay policy, old browser): the vibration and the card are enough.
  }
}
