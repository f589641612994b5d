import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default filter replaces an unknown error with "Internal server
 * error"; with this global filter the transport sees the real error, so dead
 * letters say what went wrong: `app.useGlobalFilters(new RethrowRpcErrorsFilter())`.
 */
@Catch()
export class RethrowRpcErrorsFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
