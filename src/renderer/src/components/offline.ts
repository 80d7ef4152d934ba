/** Why an action is off while browser mode has lost its connection to Skwirl. */
export const OFFLINE_REASON = 'Skwirl is out of reach; this works again once it has reconnected.'
