// Pages without data of their own: not found, admins only.
import { PageTitle } from '../components/common';

export function NotFoundPage() {
  return (
    <section>
      <PageTitle title="Not found">Page not found</PageTitle>
      <p>
        There is nothing at <code>{location.pathname}</code>. <a href="/devices">Go to your devices</a>.
      </p>
    </section>
  );
}

export function ForbiddenPage() {
  return (
    <section>
      <PageTitle title="Admins only">Admins only</PageTitle>
      <p class="error" role="alert">
        This page is for network and region admins. Your account is an owner account.
      </p>
      <p>
        <a href="/devices">Go to your devices</a>
      </p>
    </section>
  );
}
