export { keepUnsavedJobStates, type JobStateWriter, type UnsavedJobStates } from '@shrutik/plugin-sdk/runtime'
