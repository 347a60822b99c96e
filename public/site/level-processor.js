/* global AudioWorkletProcessor, sampleRate, registerProcessor -- the AudioWorklet global scope */
// AudioWorklet: measures the microphone in 20 ms frames (mean square, peak, clipped samples) and
// posts them to the page, which draws the level meter and checks the take when it ends.
class LevelProcessor extends AudioWorkletProcessor {
  constructor() {
    super()
    this.frameLength = Math.round(sampleRate / 50)
    this.sum = 0
    this.peak = 0
    this.clipped = 0
    this.count = 0
  }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0]
    if (channel) {
      for (let i = 0; i < channel.length; i++) {
        const value = channel[i]
        const magnitude = value < 0 ? -value : value
        this.sum += value * value
        if (magnitude > this.peak) this.peak = magnitude
        if (magnitude >= 0.999) this.clipped++
        if (++this.count === this.frameLength) {
          this.port.postMessage({ meanSquare: this.sum / this.count, peak: this.peak, clipped: this.clipped, samples: this.count })
          this.sum = 0
          this.peak = 0
          this.clipped = 0
          this.count = 0
        }
      }
    }
    return true
  }
}
registerProcessor('shrutik-level', LevelProcessor)
