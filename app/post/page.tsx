import type { Metadata } from "next";
import { NeedsContracts } from "../_components/ui";
import { PostForm } from "./_components/PostForm";

export const metadata: Metadata = { title: "Post a task" };

export default function PostPage() {
  return (
    <>
      <h1>Post a task</h1>
      <NeedsContracts>
        <PostForm />
      </NeedsContracts>
    </>
  );
}
