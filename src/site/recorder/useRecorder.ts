'use client'

import { useCallback, useEffect, useRef, useState } from 'react'

import { toDbfs, type TakeMeasurements } from './takeChecks'

export interface Take extends TakeMeasurements {
  blob: Blob
  mimeType: string
  url: string
}

export type MicProblem = 'denied' | 'missing' | 'unsupported'

/** WebM/Opus where the browser has it (Chromium, Firefox), else MP4/AAC (Safari). */
const pickMimeType = () =>
  ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4;codecs=mp4a.40.2', 'audio/mp4', 'audio/ogg;codecs=opus'].find(
    (type) => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(type),
  ) ?? ''

/** After Stop, keep recording this long so the last word is not cut. */
const TAIL_MS = 300

/**
 * The microphone, a level meter and MediaRecorder. The meter runs in an AudioWorklet (an
 * AnalyserNode polled per animation frame where worklets are missing) and also measures every
 * 20 ms frame for the take's checks. The microphone is released when the tab is hidden.
 */
export const useRecorder = () => {
  const [level, setLevel] = useState(0)
  const [recording, setRecording] = useState(false)
  const [paused, setPaused] = useState(false)
  const [problem, setProblem] = useState<MicProblem | undefined>()
  const stream = useRef<MediaStream | undefined>(undefined)
  const context = useRef<AudioContext | undefined>(undefined)
  const recorder = useRef<MediaRecorder | undefined>(undefined)
  const frames = useRef<number[]>([])
  const chunks = useRef<Blob[]>([])
  const clipped = useRef({ clipped: 0, samples: 0 })
  const measuring = useRef(false)
  const startedAt = useRef(0)
  const pausedMs = useRef(0)
  const pausedAt = useRef(0)
  const stopPolling = useRef<(() => void) | undefined>(undefined)

  const onFrame = useCallback((frame: { meanSquare: number; peak: number; clipped: number; samples: number }) => {
    setLevel(Math.min(1, Math.sqrt(frame.meanSquare) * 4))
    if (!measuring.current) return
    frames.current.push(toDbfs(frame.meanSquare))
    clipped.current.clipped += frame.clipped
    clipped.current.samples += frame.samples
  }, [])

  const release = useCallback(() => {
    stopPolling.current?.()
    stopPolling.current = undefined
    stream.current?.getTracks().forEach((track) => track.stop())
    stream.current = undefined
    void context.current?.close().catch(() => undefined)
    context.current = undefined
    setLevel(0)
  }, [])

  const acquire = useCallback(async (): Promise<MediaStream | undefined> => {
    if (stream.current) return stream.current
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
      setProblem('unsupported')
      return undefined
    }
    try {
      // Raw-ish audio for a dataset: no noise suppression or echo cancellation reshaping the voice.
      stream.current = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: true } })
    } catch (error) {
      setProblem((error as DOMException).name === 'NotFoundError' ? 'missing' : 'denied')
      return undefined
    }
    setProblem(undefined)
    const audio = new AudioContext()
    context.current = audio
    const source = audio.createMediaStreamSource(stream.current)
    try {
      await audio.audioWorklet.addModule('/site/level-processor.js')
      const node = new AudioWorkletNode(audio, 'shrutik-level')
      node.port.onmessage = (event) => onFrame(event.data)
      source.connect(node)
    } catch {
      const analyser = audio.createAnalyser()
      analyser.fftSize = 1024
      source.connect(analyser)
      const buffer = new Float32Array(analyser.fftSize)
      let handle = requestAnimationFrame(function poll() {
        analyser.getFloatTimeDomainData(buffer)
        let sum = 0
        let peak = 0
        let clip = 0
        for (const value of buffer) {
          sum += value * value
          peak = Math.max(peak, Math.abs(value))
          if (Math.abs(value) >= 0.999) clip++
        }
        onFrame({ meanSquare: sum / buffer.length, peak, clipped: clip, samples: buffer.length })
        handle = requestAnimationFrame(poll)
      })
      stopPolling.current = () => cancelAnimationFrame(handle)
    }
    return stream.current
  }, [onFrame])

  const start = useCallback(async (): Promise<boolean> => {
    const mic = await acquire()
    if (!mic) return false
    await context.current?.resume()
    frames.current = []
    clipped.current = { clipped: 0, samples: 0 }
    const mimeType = pickMimeType()
    const media = new MediaRecorder(mic, mimeType ? { mimeType } : undefined)
    recorder.current = media
    chunks.current = []
    media.ondataavailable = (event) => {
      if (event.data.size) chunks.current.push(event.data)
    }
    media.start()
    measuring.current = true
    startedAt.current = performance.now()
    pausedMs.current = 0
    setPaused(false)
    setRecording(true)
    return true
  }, [acquire])

  const stop = useCallback(
    (): Promise<Take | undefined> =>
      new Promise((resolve) => {
        const media = recorder.current
        if (!media || media.state === 'inactive') return resolve(undefined)
        setTimeout(() => {
          media.onstop = () => {
            measuring.current = false
            setRecording(false)
            setPaused(false)
            const blob = new Blob(chunks.current, { type: media.mimeType || 'audio/webm' })
            const durationMs = performance.now() - startedAt.current - pausedMs.current
            const { clipped: clip, samples } = clipped.current
            resolve({ blob, mimeType: blob.type, url: URL.createObjectURL(blob), durationMs, frameDbfs: frames.current, clippedRatio: samples ? clip / samples : 0 })
          }
          media.stop()
        }, TAIL_MS)
      }),
    [],
  )

  const pause = useCallback(() => {
    if (recorder.current?.state !== 'recording') return
    recorder.current.pause()
    measuring.current = false
    pausedAt.current = performance.now()
    setPaused(true)
  }, [])

  const resume = useCallback(() => {
    if (recorder.current?.state !== 'paused') return
    recorder.current.resume()
    measuring.current = true
    pausedMs.current += performance.now() - pausedAt.current
    setPaused(false)
  }, [])

  useEffect(() => {
    // A hidden tab gives the microphone back (and ends a take in progress).
    const onVisibility = () => {
      if (document.visibilityState !== 'hidden') return
      if (recorder.current?.state === 'recording' || recorder.current?.state === 'paused') return
      release()
    }
    document.addEventListener('visibilitychange', onVisibility)
    return () => {
      document.removeEventListener('visibilitychange', onVisibility)
      release()
    }
  }, [release])

  return { level, recording, paused, problem, start, stop, pause, resume, release }
}
