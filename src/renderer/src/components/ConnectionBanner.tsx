import { connectionSelectors } from '../store/connection/selectors'
import { useSkwirl } from '../store/context'
import { Spinner } from './Spinner'

/** A slim bar while browser mode has lost its socket; the live region stays mounted to be heard. */
export function ConnectionBanner() {
  const reconnecting = useSkwirl(connectionSelectors.isReconnecting)
  return (
    <div className="connection-banner" role="status">
      {reconnecting ? (
        <>
          <Spinner />
          <span>
            <strong>Lost the connection to Skwirl.</strong> Reconnecting… Until it is back, what you
            see may be out of date and actions are off.
          </span>
        </>
      ) : null}
    </div>
  )
}
