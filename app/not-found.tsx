import Link from "next/link";

export default function NotFound() {
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>
        There is no such page. Try the <Link href="/queue">queue</Link> or <Link href="/account">your account</Link>.
      </p>
    </div>
  );
}
